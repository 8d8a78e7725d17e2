//go:build !wasm

package engine

// canStream lets DoTo write a large result in pieces (do).
const canStream = true
