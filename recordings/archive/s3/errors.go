package s3

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
)

// Sentinel errors, for callers to match with errors.Is. An error of ErrNotFound
// also matches fs.ErrNotExist.
var (
	// ErrNotFound: no object has the key.
	ErrNotFound = errors.New("no such object")
	// ErrMismatch: the object is not the bytes it should be (size or SHA-256),
	// or it changed while it was read.
	ErrMismatch = errors.New("object does not match")
	// ErrCredentials: the server refused the access key, the signature, or the
	// key's permission on the bucket.
	ErrCredentials = errors.New("credentials refused")
	// ErrNoBucket: the bucket does not exist.
	ErrNoBucket = errors.New("no such bucket")
	// ErrUnreachable: no answer from the server: connection refused or reset, a
	// name that does not resolve, a timeout, or a TLS certificate not trusted.
	ErrUnreachable = errors.New("S3 server unreachable")
)

// bucketError is a failure explained in plain words. Its message carries the
// cause's text (scrubbed of the secret key), and it unwraps to the sentinels it
// is a kind of and to the cause.
type bucketError struct {
	msg  string
	errs []error
}

func (e *bucketError) Error() string   { return e.msg }
func (e *bucketError) Unwrap() []error { return e.errs }

// explained is an error of message msg, of the kinds given, caused by cause (nil:
// none).
func (b *Bucket) explained(msg string, cause error, kinds ...error) error {
	if cause != nil {
		kinds = append(kinds, cause)
	}
	return &bucketError{msg: b.scrub(msg), errs: kinds}
}

// scrub removes the secret key from text that came from elsewhere (a server's
// message, a transport error): no server should echo it, and none may make it
// reach a log.
func (b *Bucket) scrub(s string) string {
	if b.secretKey == "" {
		return s
	}
	return strings.ReplaceAll(s, b.secretKey, "[secret]")
}

// fail returns err of op on what (a key, or the bucket) as an error saying what
// is wrong and where.
func (b *Bucket) fail(ctx context.Context, op, what string, err error) error {
	if ctx.Err() != nil {
		// Cancelled or out of time: the caller's doing, not the server's.
		return fmt.Errorf("%s %s: %w", op, what, err)
	}
	return fmt.Errorf("%s %s: %w", op, what, b.explain(err))
}

// credentialCodes are the S3 error codes of an access key, signature or
// permission refused. XAdminUserNotFound is versitygw's for an unknown key.
var credentialCodes = map[string]bool{
	"AccessDenied":          true,
	"InvalidAccessKeyId":    true,
	"SignatureDoesNotMatch": true,
	"InvalidToken":          true,
	"ExpiredToken":          true,
	"XAdminUserNotFound":    true,
}

// explain maps a minio-go or transport error onto a sentinel and a message.
func (b *Bucket) explain(err error) error {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		detail := resp.Code
		if resp.Message != "" && resp.Message != resp.Code {
			detail += ": " + resp.Message
		}
		switch {
		case resp.Code == minio.NoSuchKey:
			return b.explained(fmt.Sprintf("the object is not in %s", b), err, ErrNotFound, fs.ErrNotExist)
		case resp.Code == minio.NoSuchBucket:
			return b.noBucket(err)
		case resp.Code == "RequestTimeTooSkewed":
			return b.explained(fmt.Sprintf("the S3 server at %s refused the request because this machine's clock differs too much from its own (%s): set the clock right (NTP)",
				b.host, detail), err, ErrCredentials)
		case resp.Code == "AuthorizationHeaderMalformed" || resp.Code == "InvalidRegion":
			return b.explained(fmt.Sprintf("the S3 server at %s refused the request's region (%s): check archive_region",
				b.host, detail), err, ErrCredentials)
		case credentialCodes[resp.Code] || resp.StatusCode == http.StatusForbidden:
			return b.explained(fmt.Sprintf("the S3 server at %s refused the credentials of access key %s for bucket %s (%s): check archive_access_key and archive_secret_key, and that the key may use the bucket",
				b.host, b.accessKey, b.bucket, detail), err, ErrCredentials)
		case resp.StatusCode != 0:
			return b.explained(fmt.Sprintf("the S3 server at %s answered %d (%s)", b.host, resp.StatusCode, detail), err)
		}
	}
	var urlErr *url.Error
	var netErr net.Error
	if !errors.As(err, &urlErr) && !errors.As(err, &netErr) {
		return b.explained(fmt.Sprintf("%s (S3 server at %s)", err, b.host), err)
	}
	why := err.Error()
	if urlErr != nil {
		why = urlErr.Err.Error() // without the request's URL
	}
	var x509Unknown x509.UnknownAuthorityError
	var x509Host x509.HostnameError
	var x509Invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &x509Unknown) || errors.As(err, &x509Host) || errors.As(err, &x509Invalid):
		return b.explained(fmt.Sprintf("the TLS certificate of the S3 server at %s is not trusted (%s): set archive_ca_file to the CA that signed it, or fix the endpoint's host name",
			b.host, why), err, ErrUnreachable)
	case strings.Contains(why, "server gave HTTP response to HTTPS client"):
		return b.explained(fmt.Sprintf("the S3 server at %s speaks plain HTTP, not TLS: write archive_endpoint as http://%s", b.host, b.host),
			err, ErrUnreachable)
	}
	return b.explained(fmt.Sprintf("the S3 server at %s does not answer (%s): check archive_endpoint and that the server is up",
		b.host, why), err, ErrUnreachable)
}

// noBucket is the error of a bucket that does not exist.
func (b *Bucket) noBucket(cause error) error {
	return b.explained(fmt.Sprintf("the bucket %s does not exist on the S3 server at %s: create it, or check archive_bucket", b.bucket, b.host),
		cause, ErrNoBucket)
}

// code is the S3 error code of err, "" if it has none.
func code(err error) string {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		return resp.Code
	}
	return ""
}
