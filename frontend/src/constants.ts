import type { SectorKey, Timeframe } from './api/types';

/** Display order of the sector grid. */
export const SECTOR_ORDER: readonly SectorKey[] = [
  'technology',
  'healthcare',
  'energy',
  'financial',
  'consumer_discretionary',
  'industrials',
  'materials',
  'utilities',
];

/** Display order of the timeframe cells. */
export const TIMEFRAMES: readonly Timeframe[] = ['30m', '1d', '3d', '1w'];

/**
 * Relative volume from which a name's volume ratio is bolded as a spike. The spec calls 2.5x average
 * volume "strong confirmation".
 */
export const VOLUME_SPIKE_RATIO = 2.5;
