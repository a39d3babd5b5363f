<?php
// Prints a Totalrec SSO token made by the module's own signing code.
// Usage: php sso_token.php <module/lib/sso.php> <secret> <user> <ttl> [<now> [<scope>]]
if ($argc < 5) {
	fwrite(STDERR, "usage: sso_token.php SSO_PHP SECRET USER TTL [NOW]\n");
	exit(2);
}
require $argv[1];
$token = totalrec_sso_token($argv[2], $argv[3], (int)$argv[4], $argc > 5 ? (int)$argv[5] : null, $argc > 6 ? $argv[6] : '');
if ($token === false) {
	fwrite(STDERR, "no token\n");
	exit(1);
}
echo $token;
