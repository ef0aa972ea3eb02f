/** Reading a worker's ops port (/metrics, /healthz, /readyz) in tests. */

/** GET on 127.0.0.1:port; status 0 when nothing answers within 3 s. */
export async function get(port: number, route: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

/** The value of one exact series line (`name{labels} value`) in Prometheus text, if present. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
