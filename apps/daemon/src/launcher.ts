/**
 * @module
 * Stopping with `npx`, which starts the bin as `npm exec` → `sh -c profilesync` → node. npm forwards a
 * supervisor's SIGTERM to that shell only; the shell dies of it, and this process, adopted by init, would go on
 * running (a `schedule` for ever) and never stop. Under `npm exec` (`npm_lifecycle_event=npx`), the parent going away is therefore taken as
 * the stop it stands for. Started any other way (the installed bin under systemd or a container runtime, or from a
 * shell with `nohup … &`), the process keeps running when its parent exits.
 */

/**
 * Calls `onGone` once when the process that started this one exits, if npm exec started it; returns a function that
 * stops watching. The check reads `process.ppid` (a system call) every `intervalMilliseconds`, on an unref'd timer.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const watchLauncher = (
  onGone: () => void,
  options: { readonly environment?: NodeJS.ProcessEnv; readonly intervalMilliseconds?: number } = {}
): (() => void) => {
  if ((options.environment ?? process.env).npm_lifecycle_event !== "npx") return () => {}
  const parent = process.ppid
  const timer = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(timer)
    onGone()
  }, options.intervalMilliseconds ?? 250)
  timer.unref()
  return () => clearInterval(timer)
}
