package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Config says where the bucket is. SecretKey is never logged or put in an error.
type Config struct {
	Endpoint  string // host:port, or a URL https://host:port or http://host:port
	Bucket    string
	Prefix    string // prepended to every key: "" or ending in "/"
	Region    string // "" is us-east-1
	AccessKey string
	SecretKey string
	// Insecure speaks plain HTTP to an Endpoint given without a scheme. TLS is
	// otherwise verified, never skipped.
	Insecure bool
	// CAFile is a PEM bundle of extra CAs for a server with a certificate from a
	// private CA; "" trusts the system's roots alone.
	CAFile string
	// Transport, when set, carries the requests instead of the transport built
	// from Insecure and CAFile (with its timeouts); tests count requests with it.
	Transport http.RoundTripper
}

// Bucket is an S3 bucket under a key prefix. It is safe for concurrent use.
type Bucket struct {
	client    *minio.Client
	bucket    string
	prefix    string
	host      string // host:port, what errors name
	url       string // scheme://host:port, what String names
	accessKey string
	secretKey string // only to scrub it from server messages
}

// Open checks cfg and builds the client. It does not contact the server: Check
// does.
func Open(_ context.Context, cfg Config) (*Bucket, error) {
	u, err := endpointURL(cfg.Endpoint, cfg.Insecure)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Bucket == "":
		return nil, errors.New("open bucket: no bucket name (archive_bucket)")
	case cfg.AccessKey == "":
		return nil, errors.New("open bucket: no access key (archive_access_key)")
	case cfg.SecretKey == "":
		return nil, errors.New("open bucket: no secret key (archive_secret_key)")
	case cfg.Prefix != "" && (!strings.HasSuffix(cfg.Prefix, "/") || strings.HasPrefix(cfg.Prefix, "/")):
		return nil, fmt.Errorf("open bucket: prefix %q (archive_prefix) must end in / and not start with one", cfg.Prefix)
	}
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return nil, fmt.Errorf("open bucket: bucket name %q (archive_bucket): %w", cfg.Bucket, err)
	}
	secure := u.Scheme == "https"
	tr := cfg.Transport
	if tr == nil {
		if tr, err = newTransport(secure, cfg.CAFile); err != nil {
			return nil, fmt.Errorf("open bucket: %w", err)
		}
	}
	region := cfg.Region
	if region == "" {
		// A set region also spares minio-go the GetBucketLocation request it
		// would otherwise make before the first request to the bucket.
		region = "us-east-1"
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    secure,
		Transport: settled{tr},
		Region:    region,
		// Auto: virtual-host style where the provider wants it (AWS), path style
		// for every other S3-compatible server.
		BucketLookup: minio.BucketLookupAuto,
	})
	if err != nil {
		return nil, fmt.Errorf("open bucket: endpoint %s: %w", u.Host, err)
	}
	return &Bucket{
		client:    client,
		bucket:    cfg.Bucket,
		prefix:    cfg.Prefix,
		host:      u.Host,
		url:       u.Scheme + "://" + u.Host,
		accessKey: cfg.AccessKey,
		secretKey: cfg.SecretKey,
	}, nil
}

// endpointURL parses an endpoint given as host:port or as an http(s) URL with no
// path. A scheme decides TLS; without one, insecure does.
func endpointURL(endpoint string, insecure bool) (*url.URL, error) {
	if endpoint == "" {
		return nil, errors.New("open bucket: no endpoint (archive_endpoint): want host:port, https://host:port or http://host:port")
	}
	if !strings.Contains(endpoint, "://") {
		scheme := "https"
		if insecure {
			scheme = "http"
		}
		endpoint = scheme + "://" + endpoint
	} else if insecure && strings.HasPrefix(endpoint, "https://") {
		return nil, fmt.Errorf("open bucket: endpoint %s (archive_endpoint) asks for TLS, and plain HTTP was asked for too", endpoint)
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("open bucket: endpoint %q (archive_endpoint): want host:port, https://host:port or http://host:port", endpoint)
	}
	return u, nil
}

// String names the bucket for messages: "s3://bucket/prefix at endpoint".
func (b *Bucket) String() string {
	return "s3://" + b.bucket + "/" + b.prefix + " at " + b.url
}

// Check makes one request that proves the endpoint answers, the credentials are
// accepted and the bucket exists: a listing of at most one key under the prefix.
// Not a HEAD of the bucket: a HEAD's answer has no body, and some servers
// (versitygw) answer an unknown access key with a bare 404, which would read as
// a missing bucket.
func (b *Bucket) Check(ctx context.Context) error {
	if err := b.probe(ctx); err != nil {
		return b.fail(ctx, "check", b.String(), err)
	}
	return nil
}

// probe lists at most one key under the prefix.
func (b *Bucket) probe(ctx context.Context) error {
	noOwner := false
	for oi := range b.client.ListObjectsIter(ctx, b.bucket, minio.ListObjectsOptions{Prefix: b.prefix, MaxKeys: 1, FetchOwner: &noOwner}) {
		return oi.Err // the first key, or the error: no further page is asked for
	}
	return nil
}

// Put uploads size bytes of r as key, with meta as its user metadata
// (x-amz-meta-*): keys are lower-case letters, digits and '-'; values may be any
// text, percent-encoded on the way where HTTP would not carry it, and Stat
// returns them as given. The Content-Type follows the key's extension. The
// upload (each part of it) carries a Content-MD5, so the server refuses bytes
// that changed on the way. An object larger than 16 MiB goes up as a multipart
// upload of 16 MiB parts; Put holds at most one part in memory.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, size int64, meta map[string]string) error {
	if size < 0 {
		return fmt.Errorf("put %s: size %d: the size must be known", key, size)
	}
	um, err := encodeMeta(meta)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	_, err = b.client.PutObject(ctx, b.bucket, b.prefix+key, r, size, minio.PutObjectOptions{
		UserMetadata:   um,
		ContentType:    contentType(key),
		SendContentMd5: true,
	})
	if err != nil {
		return b.fail(ctx, "put", key, err)
	}
	return nil
}

// ObjectInfo describes an object.
type ObjectInfo struct {
	Key     string // without the bucket's prefix
	Size    int64
	ModTime time.Time
	// Meta is the user metadata, with lower-case keys and values as Put was given
	// them.
	Meta map[string]string
}

// Stat describes key's object.
func (b *Bucket) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	oi, err := b.stat(ctx, "stat", key)
	if err != nil {
		return ObjectInfo{}, err
	}
	return ObjectInfo{Key: key, Size: oi.Size, ModTime: oi.LastModified, Meta: decodeMeta(oi.Metadata)}, nil
}

// stat is a HEAD of key. A HEAD's answer has no body, so a 404 does not say
// whether the object, the bucket or the access key is unknown: stat asks with a
// listing, since a vanished bucket or a wrong key must not pass for one missing
// recording.
func (b *Bucket) stat(ctx context.Context, op, key string) (minio.ObjectInfo, error) {
	oi, err := b.client.StatObject(ctx, b.bucket, b.prefix+key, minio.StatObjectOptions{})
	if err == nil {
		return oi, nil
	}
	if code(err) == minio.NoSuchKey {
		if perr := b.probe(ctx); perr != nil && ctx.Err() == nil {
			if e := b.explain(perr); errors.Is(e, ErrNoBucket) || errors.Is(e, ErrCredentials) {
				return minio.ObjectInfo{}, fmt.Errorf("%s %s: %w", op, key, e)
			}
		}
	}
	return minio.ObjectInfo{}, b.fail(ctx, op, key, err)
}

// Remove removes key's object. An absent object is not an error.
func (b *Bucket) Remove(ctx context.Context, key string) error {
	err := b.client.RemoveObject(ctx, b.bucket, b.prefix+key, minio.RemoveObjectOptions{})
	if err != nil && code(err) != minio.NoSuchKey {
		return b.fail(ctx, "remove", key, err)
	}
	return nil
}
