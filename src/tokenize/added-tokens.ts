/**
 * Added tokens ([CLS], [SEP], [MASK], … and any user-added ones) are matched in the raw
 * text before normalization, leftmost-longest, the way Hugging Face tokenizers and
 * transformers.js do: "a [MASK] b" keeps [MASK] as one token.
 * Only tokens with normalized=false are handled here (all of BERT's are); the loader
 * sends tokenizers with normalized added tokens to the @huggingface/tokenizers adapter.
 */

export interface AddedToken {
  id: number;
  content: string;
  lstrip: boolean;
  rstrip: boolean;
}

/** A text piece to tokenize, or the id of a matched added token. */
export type Segment = string | AddedToken;

interface TrieNode {
  next: Map<number, TrieNode>;
  token?: AddedToken;
}

export class AddedTokenSplitter {
  private readonly root: TrieNode = { next: new Map() };
  /** Distinct first UTF-16 units of all tokens: a text without any of them needs no split. */
  private readonly firstUnits: string[];

  constructor(tokens: readonly AddedToken[]) {
    const first = new Set<string>();
    for (const t of tokens) {
      if (t.content.length === 0) continue;
      first.add(t.content[0]!);
      let node = this.root;
      for (let i = 0; i < t.content.length; i++) {
        const c = t.content.charCodeAt(i);
        let child = node.next.get(c);
        if (child === undefined) {
          child = { next: new Map() };
          node.next.set(c, child);
        }
        node = child;
      }
      node.token = t;
    }
    this.firstUnits = [...first];
  }

  get size(): number {
    return this.root.next.size;
  }

  /** Cheap pre-check: false means `split` would return the text unchanged. */
  mightMatch(text: string): boolean {
    for (const u of this.firstUnits) if (text.includes(u)) return true;
    return false;
  }

  /** Splits text into plain pieces and added tokens, applying their lstrip/rstrip. */
  split(text: string): Segment[] {
    const out: Segment[] = [];
    const n = text.length;
    let start = 0;
    let i = 0;
    while (i < n) {
      let node: TrieNode | undefined = this.root;
      let match: AddedToken | undefined;
      for (let j = i; j < n; j++) {
        node = node.next.get(text.charCodeAt(j));
        if (node === undefined) break;
        if (node.token !== undefined) match = node.token;
      }
      if (match === undefined) {
        i++;
        continue;
      }
      if (i > start) out.push(text.slice(start, i));
      out.push(match);
      i += match.content.length;
      start = i;
    }
    if (start < n) out.push(text.slice(start));
    for (let k = 0; k < out.length; k++) {
      const seg = out[k]!;
      if (typeof seg === 'string') continue;
      const prev = out[k - 1];
      const next = out[k + 1];
      if (seg.lstrip && typeof prev === 'string') out[k - 1] = prev.trimEnd();
      if (seg.rstrip && typeof next === 'string') out[k + 1] = next.trimStart();
    }
    return out;
  }
}
