import * as vscode from 'vscode';

export const SECTION = 'restyBuild';

/**
 * Settings the server reads once, when it starts (here: its environment).
 * Changing one prompts for a restart; keep this list in step with the
 * README's settings table.
 */
export const RESTART_SETTINGS = [`${SECTION}.luakitStdlibDir`] as const;

export type RevealOutput = 'onError' | 'always' | 'never';

/** Typed getters over the `restyBuild.*` settings (package.json contributes.configuration). */
export class Config {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  private text(key: string): string | undefined {
    return this.cfg.get<string>(key)?.trim() || undefined;
  }

  /** Machine-scoped: a workspace cannot point it at a program of its own. */
  get luajitPath(): string | undefined {
    return this.text('luajitPath');
  }

  /** Machine-scoped, like luajitPath: the C compiler verify links its probe with. */
  get cc(): string | undefined {
    return this.text('cc');
  }

  /** Machine-scoped, like luajitPath: the built nginx *Audit Built nginx* and the `audit` task run. */
  get nginxPath(): string | undefined {
    return this.text('nginxPath');
  }

  /** Read when the server starts (LUAKIT_STDLIB_DIR in its environment). */
  get luakitStdlibDir(): string | undefined {
    return this.text('luakitStdlibDir');
  }

  get diagnosticsEnabled(): boolean {
    return this.cfg.get<boolean>('diagnostics.enable', true);
  }

  get revealBuildOutput(): RevealOutput {
    return this.cfg.get<RevealOutput>('build.revealOutput', 'onError');
  }

  /** The server's environment: the extension host's, plus what the settings add. */
  serverEnv(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    if (this.luakitStdlibDir) {
      env.LUAKIT_STDLIB_DIR = this.luakitStdlibDir;
    }
    return env;
  }
}

/** Asks for a server restart when a setting of RESTART_SETTINGS changes. */
export function promptRestartOnChange(restart: () => Promise<void>): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration(async (e) => {
    const changed = RESTART_SETTINGS.filter((key) => e.affectsConfiguration(key));
    if (changed.length === 0) {
      return;
    }
    const choice = await vscode.window.showInformationMessage(
      `resty-build: ${changed.join(', ')} takes effect when the language server restarts.`,
      'Restart Now',
    );
    if (choice === 'Restart Now') {
      await restart();
    }
  });
}
