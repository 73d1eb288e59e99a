package race

import "testing"

// TestCounterRace: PLANTED data race: two goroutines do counter++ on a
// plain int. Without -race it passes (it only checks a bound, since lost
// updates are possible). With -race the detector prints "WARNING: DATA
// RACE" and the test fails with "race detected during execution of test".
func TestCounterRace(t *testing.T) {
	const per = 1000
	got := CountRacy(per)
	if got < 1 || got > 2*per {
		t.Fatalf("counter = %d, want between 1 and %d", got, 2*per)
	}
}

// TestCounterAtomic: clean, always passes (also under -race).
func TestCounterAtomic(t *testing.T) {
	const per = 1000
	if got := CountAtomic(per); got != 2*per {
		t.Fatalf("counter = %d, want %d", got, 2*per)
	}
}
