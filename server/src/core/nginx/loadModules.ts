import * as path from 'node:path';
import { nginxPrefix } from '../resolve/project';
import { LineIndex, Range } from '../types';
import { NginxConf } from './nginxConf';

/** A `load_module` of the project's nginx.conf: nginx dlopens the file while it reads the configuration. */
export interface LoadModuleDirective {
  confFile: string;
  /** The argument as written. */
  written: string;
  /** Absolute: a relative path is relative to nginx's prefix, as nginx resolves it. */
  file: string;
  /** The argument's range in the conf. */
  range: Range;
}

export function loadModuleDirectives(confFile: string, text: string, conf: NginxConf): LoadModuleDirective[] {
  const lines = new LineIndex(text);
  const prefix = nginxPrefix(confFile);
  return conf.directives
    .filter((d) => d.name === 'load_module' && d.args.length > 0)
    .map((d) => {
      const arg = d.args[0];
      return { confFile, written: arg.value, file: path.resolve(prefix, arg.value), range: lines.range(arg.start, arg.end) };
    });
}
