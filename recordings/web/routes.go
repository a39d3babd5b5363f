package web

// routes is the one route table. Streaming routes carry s.streaming, which turns
// the server's write timeout into an idle timeout (see the package documentation).
func (s *Server) routes() {
	e := s.echo
	e.Use(s.accessLog, s.recoverPanic, securityHeaders, s.language)

	e.GET("/healthz", s.healthz)
	e.GET("/static/:sum/:name", s.staticFile)

	e.GET("/", s.searchPage)
	e.GET("/recordings/:id", s.playerPage)

	api := e.Group("/api/v1")
	api.GET("/recordings", s.apiSearch)
	api.GET("/recordings/:id", s.apiRecording)
	api.GET("/recordings/:id/audio", s.apiAudio, s.streaming)
	api.HEAD("/recordings/:id/audio", s.apiAudio, s.streaming)
	api.GET("/recordings/:id/original", s.apiOriginal, s.streaming)
	api.HEAD("/recordings/:id/original", s.apiOriginal, s.streaming)
	api.GET("/recordings/:id/waveform", s.apiWaveform)
	api.GET("/exports/recordings.csv", s.exportCSV, s.streaming)
	api.GET("/exports/recordings.zip", s.exportZIP, s.streaming)
}
