// Package config builds Totalrec's configuration as a value: Load layers defaults,
// what a FreePBX install says, the config file, TOTALREC_* environment variables and
// command-line flags, remembering where each setting came from; Config.Validate
// checks the result and names the field at fault.
//
// On a FreePBX box nothing needs configuring: the catalogue goes into the asterisk
// database and CDRs come from asteriskcdrdb, with the credentials FreePBX keeps in
// /etc/freepbx.conf or /etc/amportal.conf, and the spool is where MixMonitor writes
// (MIXMON_DIR, or Asterisk's astspooldir plus /monitor). FreePBX's PHP files are read,
// never run. Without FreePBX the catalogue is an SQLite file in the data directory and
// CDR enrichment is off.
//
// The package imports only the standard library and no other Totalrec package: the
// command line turns a Config into the options of each package it wires together.
package config
