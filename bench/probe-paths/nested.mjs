// Measured calls three levels deep, packed together: 7 measured calls a top call (levels.mjs;
// bench/probe-paths.js, where `calls` counts the measured calls). Against measured.mjs: what a
// parent's frame adds to a measured call.
import { timeLevels } from './levels.mjs';

timeLevels(1e6, 7);
