// The shape every benchmark module returns. Absolute rates drift on shared
// machines, so each figure names the reference it was measured beside in the
// same run, and the ratio between them is what the CI gate compares.
export interface BenchResult {
  /** Dotted name, e.g. `mining.wasm.perCore`. */
  name: string;
  value: number;
  unit: string;
  /** Name of the reference result measured in the same run, if any. */
  reference?: string;
  /** value / reference value (or a scaling factor); the gate compares this. */
  ratio?: number;
  /** The spread of `value` over the samples, when a module measures one (min and max). */
  low?: number;
  high?: number;
  /** Which way is better for `value`; unset means guessed from the unit (times and sizes lower, rates higher). */
  better?: 'higher' | 'lower';
}

/** Series for the HTML report's charts: x against y for one named curve. */
export interface BenchSeries {
  chart: string;
  label: string;
  xLabel: string;
  yLabel: string;
  points: Array<[number, number]>;
}

export interface BenchOptions {
  /** The short version for `bench:check`: smaller samples, same names. */
  quick: boolean;
  /** `--scale[=N]`: coins the UTXO set grows to in the scale bench (bench/connectScale.ts); undefined for its short form. */
  scaleCoins?: number;
}

export interface BenchModuleOutput {
  results: BenchResult[];
  series?: BenchSeries[];
}
