//go:build race

package main

// raceEnabled: the oracle runs in make test's own step without the race
// detector, which would slow wazero's compiler several times over.
const raceEnabled = true
