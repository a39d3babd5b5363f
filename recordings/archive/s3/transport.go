package s3

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// Timeouts of the transport. No overall request timeout: an upload of a long
// recording over a slow link may rightly take minutes. What must not happen is a
// wait on a server that never answers, which the dial and response-header
// timeouts end, or on a connection that died, which TCP keep-alives end.
const (
	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 30 * time.Second
	keepAlive             = 30 * time.Second
	idleConnTimeout       = 90 * time.Second
)

// newTransport is the HTTP transport of a bucket: TLS verified against the
// system's roots plus caFile's, and the timeouts above.
func newTransport(secure bool, caFile string) (*http.Transport, error) {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: keepAlive}).DialContext,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       idleConnTimeout,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		// Objects are stored as they are; an object with a Content-Encoding must
		// not be decoded on the way, or its SHA-256 would not match.
		DisableCompression: true,
	}
	if !secure {
		if caFile != "" {
			return nil, fmt.Errorf("a CA file (archive_ca_file %s) is set for an endpoint without TLS", caFile)
		}
		return tr, nil
	}
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file (archive_ca_file): %w", err)
		}
		roots, err := x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s (archive_ca_file) holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig.RootCAs = roots
	}
	return tr, nil
}

// bodyWaitMax bounds how long a request waits for the transport to let go of
// its body (see settled).
const bodyWaitMax = 5 * time.Second

// settled makes a round trip end only once the transport has let go of the
// request's body. http.RoundTripper allows a transport to keep reading the body
// after RoundTrip returns (a server may answer 500 before it has read the whole
// upload) and asks a caller that reuses the body to wait for its Close.
// minio-go does not wait: it seeks the same reader back for its retry. settled
// holds the response's Close (which minio-go calls before the retry) and the
// error's return until the body is closed, or bodyWaitMax has passed.
type settled struct{ next http.RoundTripper }

func (s settled) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return s.next.RoundTrip(req)
	}
	body := &closeSignal{ReadCloser: req.Body, closed: make(chan struct{})}
	r := new(http.Request)
	*r = *req
	r.Body = body
	resp, err := s.next.RoundTrip(r)
	if err != nil {
		body.wait()
		return nil, err
	}
	resp.Body = &waitingBody{ReadCloser: resp.Body, sent: body}
	return resp, nil
}

// closeSignal is a request body that says when it has been closed.
type closeSignal struct {
	io.ReadCloser
	once   sync.Once
	closed chan struct{}
}

func (c *closeSignal) Close() error {
	err := c.ReadCloser.Close()
	c.once.Do(func() { close(c.closed) })
	return err
}

func (c *closeSignal) wait() {
	t := time.NewTimer(bodyWaitMax)
	defer t.Stop()
	select {
	case <-c.closed:
	case <-t.C:
	}
}

// waitingBody is a response body whose Close waits for the request's body to be
// let go of: closing the response is what makes the transport give up a
// half-written request.
type waitingBody struct {
	io.ReadCloser
	sent *closeSignal
}

func (w *waitingBody) Close() error {
	err := w.ReadCloser.Close()
	w.sent.wait()
	return err
}
