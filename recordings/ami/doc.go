// Package ami is a client of the Asterisk Manager Interface: one TCP connection,
// logged in, kept up with backoff, over which actions are sent and their
// responses matched by ActionID. It never blocks its caller for long: an action
// sent while the connection is down fails at once with ErrDown, and every action
// has a deadline. Totalrec uses it to mute and unmute MixMonitor while a caller
// reads out a card number (package pause).
package ami
