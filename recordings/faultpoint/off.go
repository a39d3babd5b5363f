//go:build !faultinject

package faultpoint

// Hit marks a point where a crash matters. Without the faultinject build tag it
// does nothing.
func Hit(string) {}
