import * as fs from 'node:fs';
import { LoadModuleDirective, loadModuleDirectives } from '../core/nginx/loadModules';
import { Project } from '../core/resolve/project';
import { Finding } from '../core/types';
import { readImage } from './elfImage';
import { NginxBuildInfo, readDynamicModule } from './nginxBinary';

/**
 * The dynamic modules a project's nginx.conf loads (`load_module`), checked
 * the way ngx_load_module checks them, but without loading them: each
 * module's nginx version and module signature against the binary's.
 */

export interface AuditedDynamicModule {
  file: string;
  line: number;
  exists: boolean;
  modules: { name?: string; version?: number; signature?: string }[];
  compatible: boolean;
  problem?: string;
}

/** The `load_module` directives of the project's nginx.conf. */
export function loadModulesOf(project: Project): LoadModuleDirective[] {
  if (!project.nginxConfFile || !project.nginxConf) {
    return [];
  }
  let text: string;
  try {
    text = fs.readFileSync(project.nginxConfFile, 'utf8');
  } catch {
    return [];
  }
  return loadModuleDirectives(project.nginxConfFile, text, project.nginxConf);
}

/** Who exports what in the running nginx: a load_module file joins the list once it is read. */
export type SymbolOwners = { file: string; names: Set<string> }[];

/** Checks one load_module file; its findings go to `findings`, its exports to `owners`. */
export function checkDynamicModule(
  d: LoadModuleDirective,
  info: NginxBuildInfo,
  signature: string | undefined,
  owners: SymbolOwners,
  findings: Finding[],
): AuditedDynamicModule {
  const audited: AuditedDynamicModule = { file: d.file, line: d.range.start.line + 1, exists: fs.existsSync(d.file), modules: [], compatible: false };
  const report = (problem: string) => {
    audited.problem = problem;
    findings.push({ file: d.confFile, range: d.range, severity: 'error', code: 'dynamic-module-incompatible', message: problem });
  };
  if (!audited.exists) {
    report(`load_module "${d.written}": ${d.file} does not exist; nginx stops with "dlopen() … failed".`);
    return audited;
  }
  const image = readImage(d.file);
  if (!image) {
    report(`load_module "${d.written}": ${d.file} is not an ELF shared object; nginx stops with "dlopen() … failed".`);
    return audited;
  }
  owners.push({ file: d.file, names: image.exportedNames() });
  const read = readDynamicModule(image);
  audited.modules = read.modules;
  if (read.error) {
    report(`load_module "${d.written}": ${read.error}; nginx stops with 'dlsym() "ngx_modules" failed'.`);
    return audited;
  }
  const wrongVersion = read.modules.find((m) => m.version !== info.versionNumber);
  if (wrongVersion) {
    report(
      `load_module "${d.written}": ${wrongVersion.name ?? 'its module'} was built for nginx version ${wrongVersion.version}, this nginx is ${info.versionNumber} (${info.version}); nginx stops with "module … version ${wrongVersion.version} instead of ${info.versionNumber}". Rebuild the module against nginx ${info.version}'s sources.`,
    );
    return audited;
  }
  const wrongSignature = signature ? read.modules.find((m) => m.signature !== signature) : undefined;
  if (wrongSignature) {
    const compatHint = info.compat
      ? 'This nginx was built with --with-compat; build the module with ./configure --with-compat … --add-dynamic-module=… too.'
      : 'Build nginx and the module with --with-compat (or with exactly the same ./configure arguments).';
    report(
      `load_module "${d.written}": ${wrongSignature.name ?? 'its module'} has the module signature ${wrongSignature.signature}, this nginx ${signature}; nginx stops with "module … is not binary compatible". ${compatHint}`,
    );
    return audited;
  }
  if (!signature) {
    audited.problem = 'the binary signature could not be read; the load test decides';
  }
  audited.compatible = true;
  return audited;
}
