// Send to Agent: the quick fix on a merge or validation problem that names a module. The module's
// record gets the findings (the fix event a plan run's fix round applies, written with savePhase so
// other phases stay as they are on disk) and the phase is conducted again: the module's next attempt
// starts in its terminal with the findings in its prompt.
import * as vscode from 'vscode';
import { sendFindings } from '../../core/planRun/sendToAgent';
import { ConductError } from '../../core/run/errors';
import type { FixFinding } from '../../core/run/model';
import { showError } from '../log';
import { requireTrust } from '../trust';
import { reportConducted } from './conductPhase';
import type { CommandContext } from './context';

/** The code action's argument: one module's findings. */
export interface SendRequest {
  phase: number;
  module: string;
  findings: FixFinding[];
}

export function asSendRequest(arg: unknown): SendRequest | null {
  if (!arg || typeof arg !== 'object') return null;
  const a = arg as Record<string, unknown>;
  if (typeof a.phase !== 'number' || typeof a.module !== 'string' || !Array.isArray(a.findings)) return null;
  const findings = a.findings.filter((f): f is FixFinding => Boolean(f) && typeof (f as FixFinding).message === 'string' && typeof (f as FixFinding).source === 'string');
  return findings.length > 0 ? { phase: a.phase, module: a.module, findings } : null;
}

export async function sendToAgent(ctx: CommandContext, arg: unknown): Promise<void> {
  const request = asSendRequest(arg);
  if (!request) {
    void vscode.window.showInformationMessage('Spec Conductor: Send to Agent is a quick fix on a merge or validation problem that names a module (Problems panel).');
    return;
  }
  if (!(await requireTrust('Send to Agent'))) return;
  const plan = ctx.view.plan;
  const phase = plan?.phases.find((p) => p.number === request.phase);
  if (!plan || !phase) {
    void vscode.window.showWarningMessage(`Spec Conductor: the plan has no phase ${request.phase} any more.`);
    return;
  }
  const refuse = (why: string): void => void vscode.window.showInformationMessage(`Spec Conductor: not sent to ${request.module} — ${why}`);
  if (ctx.host.isConducting(phase.slug)) {
    refuse(`phase ${phase.number} is being conducted in this window; send the findings once it has ended.`);
    return;
  }
  try {
    const [engine, { PhaseLocks }, { prepareConflictFix }] = await Promise.all([
      ctx.host.repository(),
      import('../../infra/state/phaseLock'),
      import('../../infra/planRun/planPorts'),
    ]);
    const locks = new PhaseLocks(engine.conductorDir);
    const holder = await locks.holder(phase.slug);
    if (holder) {
      refuse(`phase ${phase.number} is being conducted or merged by ${locks.describe(holder)}; send the findings once it has finished.`);
      return;
    }
    const run = (await engine.state.read()).phases[phase.slug];
    if (!run) {
      refuse(`phase ${phase.number} has not been conducted yet.`);
      return;
    }
    const decision = sendFindings(run, request.module, request.findings, { retries: ctx.host.settings().retries, at: new Date().toISOString() });
    if ('refused' in decision) {
      refuse(decision.refused);
      return;
    }
    await engine.state.savePhase(decision.run);
    ctx.view.setPhase(decision.run);
    const integration = ctx.view.merges.get(phase.slug)?.integrationCommit;
    if (integration && request.findings.some((f) => f.source === 'conflict')) ctx.log.info(await prepareConflictFix(engine, decision.run, request.module, integration));
    const attempt = (decision.run.modules.find((m) => m.id === request.module)?.attempts ?? 0) + 1;
    ctx.log.info(`Send to Agent: ${request.findings.length} finding(s) to ${request.module} (phase ${phase.number}); attempt ${attempt} starts.`);
    void vscode.window.showInformationMessage(`Spec Conductor: ${request.findings.length} finding(s) sent to ${request.module}; its attempt ${attempt} starts in its terminal.`);
    void vscode.commands.executeCommand('workbench.view.extension.specConductor');
    await reportConducted(phase, await ctx.host.conduct({ plan, phase, approve: Boolean(run.approvedAt), restartInterrupted: true }));
  } catch (e) {
    if (e instanceof ConductError) {
      ctx.log.warn(e.message);
      void vscode.window.showWarningMessage(`Spec Conductor: ${e.message}`);
    } else await showError(ctx.log, `Send to Agent (${request.module}) failed: ${(e as Error).message}`, e);
  }
}
