import { useEffect, useState, useSyncExternalStore } from 'react';
import type { Api } from '../api';
import { OverviewPoller, type OverviewState } from './overviewPoller';

/** The overview, refreshed while the page is mounted; unmounting aborts the request in flight. */
export function useOverview(api: Pick<Api, 'opsOverview'>): { poller: OverviewPoller; state: OverviewState } {
  const [poller] = useState(() => new OverviewPoller({ load: (signal) => api.opsOverview(signal) }));
  useEffect(() => {
    poller.start();
    return () => poller.stop();
  }, [poller]);
  const state = useSyncExternalStore(poller.subscribe, poller.getState);
  return { poller, state };
}
