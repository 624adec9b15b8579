import { useEffect, useState, useSyncExternalStore } from 'react';
import type { RecordingStatusName } from '../api';
import type { PlaybackController } from './controller';
import { StatusWatcher, type StatusApi } from './statusWatcher';

/**
 * One StatusWatcher for the component's lifetime, fed every state of the page's player; unmounting
 * (sign-out included) aborts its requests. Returns the watcher and the statuses it knows per call.
 */
export function useStatusWatcher(
  api: StatusApi,
  controller: PlaybackController,
): { watcher: StatusWatcher; known: Readonly<Record<string, RecordingStatusName>> } {
  const [watcher] = useState(() => new StatusWatcher({ api }));

  useEffect(() => {
    watcher.resume();
    watcher.observePlayer(controller.getState());
    const unsubscribe = controller.subscribe(() => watcher.observePlayer(controller.getState()));
    return () => {
      unsubscribe();
      watcher.dispose();
    };
  }, [watcher, controller]);

  const known = useSyncExternalStore(watcher.subscribe, watcher.getSnapshot);
  return { watcher, known };
}
