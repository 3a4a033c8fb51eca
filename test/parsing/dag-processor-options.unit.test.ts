import { loadConfig } from '../../src/config/load-config';
import { resolveDagProcessorOptions } from '../../src/parsing/dag-processor-options';

describe('DAG processor options', () => {
  // Was 100 while parser children kept every parsed file's DAGs in their heap; each replacement
  // costs a child start (~0.3 s of CPU) and a cold JIT, which the parse1000 benchmark measures.
  it('replaces a parser child after 250 files unless told otherwise', () => {
    const config = loadConfig({ DAGCTL_HOME: '/nonexistent-dagctl-home' }, '/nonexistent-dagctl-home');
    expect(resolveDagProcessorOptions(config).maxFilesPerChild).toBe(250);
    expect(resolveDagProcessorOptions(config, { maxFilesPerChild: 2 }).maxFilesPerChild).toBe(2);
  });
});
