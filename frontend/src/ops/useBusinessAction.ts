import { useEffect, useRef, useState } from 'react';
import { ApiError, isAbortError, type BusinessControl } from '../api';

/** What the api answered to a refused action: the HTTP status (0: no answer), its error code and message. */
export interface ActionFailure {
  status: number;
  code: string;
  message: string;
}

/**
 * One operator action on a business at a time: busy while its request runs, that request aborted on
 * unmount, and why the last one failed. `run` resolves true when the action was done (its answer given
 * to `onChanged`).
 */
export function useBusinessAction(onChanged: (entry: BusinessControl) => void) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ActionFailure | null>(null);
  const request = useRef<AbortController | null>(null);

  useEffect(() => () => request.current?.abort(), []);

  async function run(action: (signal: AbortSignal) => Promise<BusinessControl>): Promise<boolean> {
    if (request.current) return false;
    const abort = new AbortController();
    request.current = abort;
    setBusy(true);
    setFailure(null);
    try {
      onChanged(await action(abort.signal));
      return true;
    } catch (e) {
      if (!isAbortError(e)) {
        setFailure(
          e instanceof ApiError
            ? { status: e.status, code: e.code, message: e.message }
            : { status: 0, code: 'unknown', message: e instanceof Error ? e.message : String(e) },
        );
      }
      return false;
    } finally {
      if (request.current === abort) {
        request.current = null;
        setBusy(false);
      }
    }
  }

  return { busy, failure, run, clearFailure: () => setFailure(null) };
}
