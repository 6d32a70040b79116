// Package conformance holds the end-to-end suite that runs unchanged against
// every engine: hand-built event sets with hand-computed sessions, the
// cross-engine equality test and the incremental property test. It has no
// code outside its tests.
package conformance
