// Package order keeps package-level state that tests share by accident.
package order

// Package-level state: set up by TestOrderSetup, read by TestOrderDepends.
var (
	configured bool
	registry   = map[string]int{}
)

// Configure marks the package ready and registers a handler.
func Configure() {
	configured = true
	registry["handler"]++
}

// Lookup returns the handler count, or false if Configure never ran.
func Lookup(name string) (int, bool) {
	if !configured {
		return 0, false
	}
	n, ok := registry[name]
	return n, ok
}

// Release consumes one registration of name.
func Release(name string) {
	if registry[name] > 0 {
		registry[name]--
	}
	if registry[name] == 0 {
		delete(registry, name)
	}
}
