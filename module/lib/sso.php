<?php
/**
 * Totalrec single sign-on tokens.
 *
 * A token is base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload))),
 * payload being the JSON object {"u": user, "exp": unix, "n": nonce, "iat": unix} and
 * the nonce 16 random bytes in lower-case hex. The Totalrec daemon verifies the
 * signature, accepts a token at most 120 seconds long and only once, and allows 30
 * seconds of clock skew. The secret is sso_secret from Totalrec's configuration file.
 *
 * Plain functions, PHP 5.3 to 8.x: this file is used by FreePBX 2.x and 13+ alike.
 */

if (!function_exists('totalrec_base64url')) {

	/** Maximum token lifetime accepted by the daemon, in seconds. */
	define('TOTALREC_SSO_MAX_TTL', 120);

	/**
	 * base64url without padding (RFC 4648 section 5).
	 */
	function totalrec_base64url($bytes) {
		return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
	}

	/**
	 * $n random bytes. Uses random_bytes() (PHP 7+) or openssl_random_pseudo_bytes()
	 * (PHP 5.3+ with OpenSSL). The mt_rand() fallback is not cryptographically strong;
	 * it only exists for a PHP built without OpenSSL (some FreePBX 2.x systems), where a
	 * guessable nonce weakens replay protection but not the signature.
	 */
	function totalrec_random_bytes($n) {
		if (function_exists('random_bytes')) {
			return random_bytes($n);
		}
		if (function_exists('openssl_random_pseudo_bytes')) {
			$strong = false;
			$bytes = openssl_random_pseudo_bytes($n, $strong);
			if ($bytes !== false && strlen($bytes) == $n) {
				return $bytes;
			}
		}
		$bytes = '';
		for ($i = 0; $i < $n; $i++) {
			$bytes .= chr(mt_rand(0, 255));
		}
		return $bytes;
	}

	/**
	 * A signed single sign-on token for $user, valid for $ttl seconds from now
	 * (clamped to 1..120). $now is for tests; null means time().
	 *
	 * @return string|false false when the secret or the user is empty
	 */
	/**
	 * A sign-on token for $user, valid $ttl seconds (at most TOTALREC_SSO_MAX_TTL).
	 * $scope, for an end user of the User Control Panel, names the extensions they
	 * may hear ("100,101"): Totalrec then signs them in as a user of that scope; the
	 * admin page's token has none and signs in an administrator.
	 */
	function totalrec_sso_token($secret, $user, $ttl, $now = null, $scope = '') {
		if ((string)$secret === '' || (string)$user === '') {
			return false;
		}
		$ttl = (int)$ttl;
		if ($ttl < 1) {
			$ttl = 1;
		}
		if ($ttl > TOTALREC_SSO_MAX_TTL) {
			$ttl = TOTALREC_SSO_MAX_TTL;
		}
		$iat = ($now === null) ? time() : (int)$now;
		$claims = array(
			'u' => (string)$user,
			'exp' => $iat + $ttl,
			'n' => bin2hex(totalrec_random_bytes(16)),
			'iat' => $iat,
		);
		if ((string)$scope !== '') {
			$claims['s'] = (string)$scope;
		}
		$payload = json_encode($claims);
		$body = totalrec_base64url($payload);
		$sig = hash_hmac('sha256', $body, (string)$secret, true);
		return $body . '.' . totalrec_base64url($sig);
	}

	/**
	 * The extensions of a UCP token's scope: those of $exts that are plain numbers
	 * (User Manager may say "none"), each once, sorted.
	 */
	function totalrec_scope_of($exts) {
		$out = array();
		foreach ((array)$exts as $e) {
			$e = trim((string)$e);
			if (preg_match('/^[0-9]{1,16}$/', $e) && !in_array($e, $out, true)) {
				$out[] = $e;
			}
		}
		sort($out, SORT_STRING);
		return $out;
	}
}
