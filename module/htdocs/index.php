<?php
/**
 * /totalrec/ on FreePBX's own web server, for the module's bundled Totalrec
 * (lib/bundle.php links <AMPWEBROOT>/totalrec here): every request under it is
 * passed to the daemon on 127.0.0.1 and its answer streamed back as it comes, so
 * that audio plays and seeks (Range), downloads of any size, cookies and redirects
 * behave as they would with Apache's mod_proxy, which FreePBX does not enable.
 *
 * The browser's Host is kept (the daemon checks Origin against it for CSRF and
 * builds its links from it); X-Forwarded-For and X-Forwarded-Proto say who asked
 * and over what. Nothing here reads or writes a file but upstream.php, which the
 * module's install writes; the path goes to the daemon only, under its base path.
 */

$upstream = @include __DIR__ . '/upstream.php';
if (!is_array($upstream) || !function_exists('curl_init')) {
	http_response_code(503);
	header('Content-Type: text/plain; charset=utf-8');
	echo "Totalrec is not set up on this server: reinstall the module in Module Admin.\n";
	exit;
}

$uri = isset($_SERVER['REQUEST_URI']) ? $_SERVER['REQUEST_URI'] : '/';
$base = $upstream['base'];
if ($uri !== $base && strpos($uri, $base . '/') !== 0 && strpos($uri, $base . '?') !== 0) {
	http_response_code(404);
	exit;
}

// Hop-by-hop headers, and those curl sets itself, are not passed on.
$hop = array('connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
	'transfer-encoding', 'upgrade', 'content-length', 'expect');

$headers = array();
$incoming = function_exists('getallheaders') ? getallheaders() : array();
foreach ($incoming as $name => $value) {
	$lower = strtolower($name);
	if (in_array($lower, $hop) || strpos($lower, 'x-forwarded-') === 0) {
		continue;
	}
	$headers[] = $name . ': ' . $value;
}
$https = !empty($_SERVER['HTTPS']) && $_SERVER['HTTPS'] != 'off';
$headers[] = 'X-Forwarded-For: ' . $_SERVER['REMOTE_ADDR'];
$headers[] = 'X-Forwarded-Proto: ' . ($https ? 'https' : 'http');
$headers[] = 'Expect:';

$method = $_SERVER['REQUEST_METHOD'];
$ch = curl_init($upstream['origin'] . $uri);
curl_setopt($ch, CURLOPT_CUSTOMREQUEST, $method);
curl_setopt($ch, CURLOPT_HTTPHEADER, $headers);
curl_setopt($ch, CURLOPT_FOLLOWLOCATION, false);
curl_setopt($ch, CURLOPT_CONNECTTIMEOUT, 5);
curl_setopt($ch, CURLOPT_TIMEOUT, 0);
if ($method === 'HEAD') {
	curl_setopt($ch, CURLOPT_NOBODY, true);
} elseif (!in_array($method, array('GET', 'OPTIONS'))) {
	curl_setopt($ch, CURLOPT_POSTFIELDS, file_get_contents('php://input'));
}

set_time_limit(0);
while (ob_get_level() > 0) {
	ob_end_clean();
}
$sent = false;
curl_setopt($ch, CURLOPT_HEADERFUNCTION, function ($ch, $line) use ($hop, &$sent) {
	$trimmed = rtrim($line, "\r\n");
	if (preg_match('#^HTTP/\S+\s+(\d{3})#', $trimmed, $m)) {
		http_response_code((int)$m[1]);
		if (function_exists('header_remove')) {
			header_remove();
		}
	} elseif (($colon = strpos($trimmed, ':')) !== false) {
		$name = strtolower(trim(substr($trimmed, 0, $colon)));
		if (!in_array($name, $hop) || $name === 'content-length') {
			header($trimmed, false);
		}
	}
	$sent = true;
	return strlen($line);
});
curl_setopt($ch, CURLOPT_WRITEFUNCTION, function ($ch, $data) {
	echo $data;
	flush();
	return strlen($data);
});
if (curl_exec($ch) === false && !$sent) {
	http_response_code(502);
	header('Content-Type: text/plain; charset=utf-8');
	echo "Totalrec does not answer on this server: ask the administrator to check it.\n";
}
curl_close($ch);
