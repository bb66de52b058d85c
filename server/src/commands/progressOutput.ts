import { CompileResult } from '../toolchain/compile';
import { BuildProgress, progressMessage } from '../toolchain/pipeline';
import { CommandIO } from './commandIO';

/**
 * A build's progress on stderr. On a terminal, one status line that each
 * module rewrites (`[3/120] resty.core.base`); in a log (a pipe, a file, a
 * CI job), one line saying how many modules are compiled and none per
 * module: hundreds of `[n/N]` lines would bury the findings and the
 * summary. `onLink`: what verify prints once the compile is over.
 */
export function buildProgressOutput(io: CommandIO, onLink?: (compiled: CompileResult) => void): (p: BuildProgress) => void {
  return (p) => {
    if (p.step === 'link') {
      onLink?.(p.compiled);
    } else if (io.status) {
      io.status(progressMessage(p));
    } else if (p.step === 'start' && p.toCompile > 0) {
      io.err(progressMessage(p));
    }
  };
}
