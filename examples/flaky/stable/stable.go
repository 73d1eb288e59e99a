// Package stable has plain code with plain, always-passing tests.
package stable

// Add returns a+b.
func Add(a, b int) int { return a + b }
