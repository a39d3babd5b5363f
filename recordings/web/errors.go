package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/spool"
	"github.com/totalrec/totalrec/recordings/stream"
)

// publicError is an error whose message is written for the client. Handlers
// return it when they know better words than the wrapped error's.
type publicError struct {
	status  int
	code    string
	message string
	err     error // the cause, for errors.Is and the log; may be nil
}

func (e *publicError) Error() string {
	if e.err != nil {
		return e.message + ": " + e.err.Error()
	}
	return e.message
}

func (e *publicError) Unwrap() error { return e.err }

// errorBody is the JSON error shape of every API response that fails.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// classify maps an error to its status, code and the message a client may see.
// Only input errors carry the error's own text, which describes the input;
// everything else gets a fixed message.
func classify(err error) (int, string, string) {
	var pe *publicError
	var he *echo.HTTPError
	var qe *recordings.QueryError
	switch {
	case errors.As(err, &pe):
		return pe.status, pe.code, pe.message
	case errors.As(err, &qe):
		return http.StatusBadRequest, "invalid", clipMessage(qe.Error())
	case errors.As(err, &he):
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			msg = m
		}
		return he.Code, strings.ToLower(strings.ReplaceAll(http.StatusText(he.Code), " ", "_")), msg
	case errors.Is(err, recordings.ErrInvalid):
		return http.StatusBadRequest, "invalid", inputMessage(err)
	case errors.Is(err, recordings.ErrNotFound):
		return http.StatusNotFound, "not_found", "not found"
	case errors.Is(err, stream.ErrDamaged):
		return http.StatusUnprocessableEntity, "damaged_recording", "the recording is damaged: its file cannot be read as audio; download the original"
	case errors.Is(err, recordings.ErrUnsupportedFormat):
		return http.StatusUnsupportedMediaType, "unsupported_format", "this audio format cannot be decoded here; download the original"
	case errors.Is(err, spool.ErrHardLink):
		return http.StatusConflict, "hard_link", "the file has other hard links: it may not be the recording, so it is not served"
	case errors.Is(err, recordings.ErrOutsideRoot):
		return http.StatusForbidden, "forbidden", "the file is outside the spool or behind a symbolic link"
	case errors.Is(err, recordings.ErrRefused):
		return http.StatusConflict, "refused", "refused for safety"
	}
	return http.StatusInternalServerError, "internal", "internal error"
}

// inputMessage is an ErrInvalid error's text without the sentinel's own words.
func inputMessage(err error) string {
	return clipMessage(strings.TrimSuffix(err.Error(), ": "+recordings.ErrInvalid.Error()))
}

// clipMessage bounds a message that quotes input.
func clipMessage(msg string) string {
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return msg
}

// statusClientClosed is what the access log says of a request whose client went
// away before the answer (nginx's code; never sent).
const statusClientClosed = 499

// clientGone reports whether the request's client has gone away (or the server
// is shutting down): its context is cancelled. Then whatever failed, failed
// because of that.
func clientGone(c echo.Context) bool {
	return errors.Is(c.Request().Context().Err(), context.Canceled)
}

// handleError is echo's HTTPErrorHandler: the one place errors become responses.
// A client that went away is not an error of the server: logged at debug,
// answered with nothing.
func (s *Server) handleError(err error, c echo.Context) {
	if clientGone(c) {
		s.log.Debug("client went away", slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path), slog.Any("error", err))
		if !c.Response().Committed {
			c.Response().Status = statusClientClosed
		}
		return
	}
	if c.Response().Committed {
		s.log.Warn("response failed after it started", slog.String("path", c.Request().URL.Path), slog.Any("error", err))
		return
	}
	status, code, msg := classify(err)
	if status >= 500 {
		s.log.Error("request failed", slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path), slog.Any("error", err))
	}
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(status)
	case isAPI(c):
		werr = c.JSON(status, errorBody{errorDetail{Code: code, Message: msg}})
	default:
		werr = c.Render(status, "error", s.errorPage(c, status, code, msg))
	}
	if werr != nil {
		s.log.Warn("write error response", slog.Any("error", werr))
	}
}

func isAPI(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/") || c.Request().URL.Path == "/healthz"
}

// badRequest is an input error with a message naming the parameter.
func badRequest(param, format string, args ...any) error {
	return &publicError{status: http.StatusBadRequest, code: "invalid",
		message: param + ": " + fmt.Sprintf(format, args...), err: recordings.ErrInvalid}
}
