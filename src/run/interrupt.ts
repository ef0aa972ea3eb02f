/**
 * Ctrl-C and SIGTERM for commands that write files. Node's default on these
 * signals is to die at once, which would leave a temp file behind; instead a
 * CLI command installs handlers for its own duration (never at import time,
 * never for library callers) and passes the AbortSignal down. The run loop
 * checks it between chunks, the writer removes its temp file, and the command
 * ends with an InterruptedError: exit 130 (143 for SIGTERM).
 *
 * The first signal waits for the chunk in flight (ONNX Runtime cannot be
 * stopped mid-run). A second one does not wait: it removes the pending temp
 * files synchronously, restores the default action and raises the signal
 * again, so the process dies of it (the shell shows 130/143). process.exit()
 * is not used there: tearing down worker threads that are inside ONNX Runtime
 * aborts the process (exit 134, "terminate called after throwing Napi::Error").
 */
import { InterruptedError } from '../errors.js';
import { removePendingTempFilesSync } from '../report/atomic-file.js';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** `stopping` says what the first signal waits for (a wait for a run stops at once). */
export async function withInterrupt<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  notify: (line: string) => void,
  stopping = 'stopping after the chunk in progress',
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      notify(`${sig}: ${stopping} (${sig === 'SIGINT' ? 'press Ctrl-C' : `send ${sig}`} again to stop at once)`);
      controller.abort(new InterruptedError(sig));
      return;
    }
    const removed = removePendingTempFilesSync();
    notify(
      `interrupted by ${sig}: ${removed.length > 0 ? `removed the partial ${removed.join(', ')}` : 'no partial file was left'}; stopping now`,
    );
    uninstall();
    process.kill(process.pid, sig);
  };
  const uninstall = (): void => {
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    uninstall();
  }
}
