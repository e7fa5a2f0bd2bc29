// A GitExec for tests that watch or break the engine's git calls: real git (a GitRunner underneath),
// with every call recorded, counted by subcommand, and optionally a failure injected at a chosen
// run or long-lived request. One typed helper, so test files do not each hand-write a wrapper.
import { GitRunner, type GitExec, type GitResult, type GitVersion } from '../../src/infra/git/gitRunner';

export interface GitCall {
  cwd: string;
  args: string[];
  /** A long-lived process (`spawnLines`) rather than a one-shot run. */
  longLived: boolean;
  /** Run with `readOnly` (`--no-optional-locks`). */
  readOnly: boolean;
}

/** The nth (1-based) occurrence of a git subcommand. */
export interface InjectAt {
  command: string;
  nth: number;
}

export interface GitSpyOptions {
  /** Fails the nth one-shot run of the command before git starts, as a crash there would. */
  failRun?: InjectAt;
  /** Fails the nth request to the command's long-lived processes before git sees it. */
  failRequest?: InjectAt;
  /** Offers no `spawnLines`, as a runner without long-lived processes (callers fall back to one-shot runs). */
  noLongLived?: boolean;
  /** Reports this version instead of the installed git's. */
  pretendVersion?: GitVersion;
  /** Answers every run of the command with this result instead of running git (output git would not give). */
  pretendAnswer?: { command: string; result: GitResult };
}

export interface GitSpy extends GitExec {
  readonly calls: GitCall[];
  /** One-shot runs of `command` (long-lived processes with `longLived`), only those with `flag` if given. */
  count(command: string, opts?: { longLived?: boolean; flag?: string }): number;
}

export function gitSpy(options: GitSpyOptions = {}): GitSpy {
  const inner = new GitRunner();
  const calls: GitCall[] = [];
  const { failRun, failRequest, pretendVersion, pretendAnswer } = options;
  let runs = 0;
  let requests = 0;
  const injected = (what: string) => new Error(`injected failure: killed before ${what}`);

  const spy: GitSpy = {
    calls,
    count: (command, { longLived = false, flag } = {}) =>
      calls.filter((c) => c.args[0] === command && c.longLived === longLived && (!flag || c.args.includes(flag))).length,
    run(cwd, args, opts) {
      calls.push({ cwd, args: [...args], longLived: false, readOnly: opts?.readOnly === true });
      if (failRun && args[0] === failRun.command && ++runs === failRun.nth) return Promise.reject(injected(`git ${failRun.command} (run ${failRun.nth})`));
      if (pretendAnswer && args[0] === pretendAnswer.command) return Promise.resolve(pretendAnswer.result);
      return inner.run(cwd, args, opts);
    },
    gitVersion: () => (pretendVersion ? Promise.resolve(pretendVersion) : inner.gitVersion()),
  };
  if (options.noLongLived) return spy;

  spy.spawnLines = (cwd, args, opts) => {
    calls.push({ cwd, args: [...args], longLived: true, readOnly: false });
    const lines = inner.spawnLines(cwd, args, opts);
    if (!failRequest || args[0] !== failRequest.command) return lines;
    return {
      request: (input, n) =>
        ++requests === failRequest.nth ? Promise.reject(injected(`${failRequest.command} request ${failRequest.nth}`)) : lines.request(input, n),
      close: () => lines.close(),
    };
  };
  return spy;
}
