import { useEffect, useState, useSyncExternalStore } from 'react';
import { PlaybackController, type PlaybackApi } from './controller';
import type { PlayerState } from './state';

/**
 * One PlaybackController for the component's lifetime (the api is taken at the first render);
 * unmounting disposes it (its request aborted).
 * StrictMode unmounts and mounts again once in development: `resume` undoes that first dispose.
 */
export function usePlaybackController(api: PlaybackApi): { controller: PlaybackController; state: PlayerState } {
  const [controller] = useState(() => new PlaybackController({ api }));

  useEffect(() => {
    controller.resume();
    return () => controller.dispose();
  }, [controller]);

  const state = useSyncExternalStore(controller.subscribe, controller.getState);
  return { controller, state };
}
