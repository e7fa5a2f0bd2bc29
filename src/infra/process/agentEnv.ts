// The environment an agent process gets: the inherited one, the launch's CONDUCTOR_* variables, and
// PATH with the launch's folders first, so the agent can run `conductor-hook` by its plain name
// (agent CLIs refuse or mis-parse a command that starts with "$CONDUCTOR_HOOK").
import * as path from 'node:path';
import type { AgentLaunch } from '../../core/ports';

export function agentEnvironment(launch: Pick<AgentLaunch, 'env' | 'pathPrepend'>, inherited: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(inherited)) if (v !== undefined) env[k] = v;
  Object.assign(env, launch.env);
  const rest = (launch.env.PATH ?? inherited.PATH ?? '').split(path.delimiter).filter((d) => d !== '' && !launch.pathPrepend.includes(d));
  env.PATH = [...launch.pathPrepend, ...rest].join(path.delimiter);
  return env;
}
