import * as path from 'node:path';
import * as vscode from 'vscode';
import { LinkFlagsResponse } from '../../server/src/protocol/protocol';

/** The link-flag previews' scheme; package.json shows the copy action on editors of it. */
export const LINK_FLAGS_SCHEME = 'resty-build';

interface PreviewFile {
  content: Uint8Array;
  configureLine: string;
  mtime: number;
}

/**
 * The link-flag previews: one file per project in a file system registered
 * read-only, so the editor refuses typing and saving (and says so), and
 * `workspace.fs` reports it as not writable. A preview shown again is
 * replaced in place: the open editor reloads it.
 */
export class LinkFlagsFiles implements vscode.FileSystemProvider {
  private readonly files = new Map<string, PreviewFile>();
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private lastMtime = 0;

  /** The preview of one project: `resty-build:/link-flags/<folder name>.sh`. */
  static uriFor(projectDir: string): vscode.Uri {
    return vscode.Uri.from({ scheme: LINK_FLAGS_SCHEME, path: `/link-flags/${path.basename(projectDir)}.sh` });
  }

  register(): vscode.Disposable {
    return vscode.Disposable.from(vscode.workspace.registerFileSystemProvider(LINK_FLAGS_SCHEME, this, { isReadonly: true, isCaseSensitive: true }), this.changed);
  }

  set(uri: vscode.Uri, flags: LinkFlagsResponse): void {
    const existed = this.files.has(uri.path);
    // Editors reload a file whose mtime moved; two previews within a millisecond must still differ.
    this.lastMtime = Math.max(Date.now(), this.lastMtime + 1);
    this.files.set(uri.path, { content: new TextEncoder().encode(flags.preview), configureLine: flags.configureLine, mtime: this.lastMtime });
    this.changed.fire([{ type: existed ? vscode.FileChangeType.Changed : vscode.FileChangeType.Created, uri }]);
  }

  /** The configure line of the project a preview shows, for its copy action. */
  configureLineOf(uri: vscode.Uri): string | undefined {
    return uri.scheme === LINK_FLAGS_SCHEME ? this.files.get(uri.path)?.configureLine : undefined;
  }

  watch(): vscode.Disposable {
    // Changes are announced for every file through onDidChangeFile.
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): vscode.FileStat {
    const file = this.files.get(uri.path);
    if (file) {
      return { type: vscode.FileType.File, ctime: file.mtime, mtime: file.mtime, size: file.content.byteLength, permissions: vscode.FilePermission.Readonly };
    }
    if (this.childrenOf(uri).length > 0 || uri.path === '/') {
      return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
    }
    throw vscode.FileSystemError.FileNotFound(uri);
  }

  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    return this.childrenOf(uri);
  }

  readFile(uri: vscode.Uri): Uint8Array {
    const file = this.files.get(uri.path);
    if (!file) {
      throw vscode.FileSystemError.FileNotFound(uri);
    }
    return file.content;
  }

  createDirectory(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  private childrenOf(dir: vscode.Uri): [string, vscode.FileType][] {
    const prefix = dir.path.endsWith('/') ? dir.path : `${dir.path}/`;
    const names = new Map<string, vscode.FileType>();
    for (const file of this.files.keys()) {
      if (file.startsWith(prefix)) {
        const [first, ...rest] = file.slice(prefix.length).split('/');
        names.set(first, rest.length > 0 ? vscode.FileType.Directory : vscode.FileType.File);
      }
    }
    return [...names];
  }
}
