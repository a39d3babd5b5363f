// Package faultpoint kills the process at named points, for the fault-injection
// tests: a crash at a chosen place, not a simulated one.
//
// The code that must survive a crash calls Hit("retention.unlink.after") where a
// crash matters: between a claim and its unlink, between statements of a
// transaction, between handling a journal entry and removing its file. In a normal
// build Hit is an empty function the compiler inlines away: the points cost
// nothing and do nothing.
//
// Built with -tags faultinject, Hit reads the environment once:
//
//	TOTALREC_FAULT_KILL_AT=name:N   on the Nth hit of point name, print
//	                                "faultpoint: SIGKILL at name hit N" on stderr
//	                                and send the process SIGKILL (no deferred
//	                                cleanup, no flush: a real crash)
//	TOTALREC_FAULT_TRACE=FILE       append the name of every point hit to FILE,
//	                                one a line, to count how often each is reached
//
// Hits are counted across goroutines; which goroutine makes the Nth hit of a point
// that several reach at once is up to the scheduler. The tests in cmd/totalrec
// (cli_fault_test.go) build the binary with the tag, count the hits of an unarmed
// run, then pick (name, N) pairs from a fixed seed.
//
// Names are "<package>.<what>.<before|after>", lower case, dot-separated; a name
// says where it is, so that a failing seed can be read without the source.
package faultpoint
