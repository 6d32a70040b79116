package conformance

import (
	"fmt"
	"reflect"
	"testing"
)

// TestCrossEngineEquality runs the same inputs on every engine this machine
// has and wants every exported table identical to DuckDB's, every row and
// column: the hand-built cases and random event sets, run in batches.
func TestCrossEngineEquality(t *testing.T) {
	es := engines(t)
	if len(es) < 2 {
		t.Skip("only DuckDB is available here; .ci/run starts the other engines")
	}
	type input struct {
		name     string
		timezone string
		arrivals scenario
	}
	var inputs []input
	for _, c := range handCases {
		var as []arrival
		for i := range c.events {
			as = append(as, arrival{ev: &c.events[i]})
		}
		for i := range c.ids {
			as = append(as, arrival{id: &c.ids[i]})
		}
		inputs = append(inputs, input{c.name, c.timezone, scenario{arrivals: as}})
	}
	for seed := uint64(1); seed <= uint64(volume(20, 10)); seed++ {
		inputs = append(inputs, input{fmt.Sprintf("seed=%d", seed), "America/New_York", randomCase(seed)})
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			t.Parallel()
			var want map[string][][]string
			for _, e := range es {
				f := setup(t, e, in.timezone)
				f.loadBatches(in.arrivals)
				got := outputs(f)
				if want == nil {
					want = got
					continue
				}
				for _, tbl := range outputTables {
					if !reflect.DeepEqual(got[tbl], want[tbl]) {
						t.Errorf("%s: %s differs from %s:\n%s:\n%s\n%s:\n%s", tbl, e.name, es[0].name, es[0].name, table(want[tbl]), e.name, table(got[tbl]))
					}
				}
			}
		})
	}
}
