// What loading the spec files feeds: the SpecWorkspace itself, or a proxy to one in a worker thread.
export interface SpecModel {
  setSpec(path: string, text: string): void;
  clearSpec(expectedPath: string | null): void;
  setContract(path: string, text: string): void;
  retainContracts(paths: Iterable<string>): void;
}
