package web

// routes is the one route table. Streaming routes carry s.streaming, which turns
// the server's write timeout into an idle timeout (see the package documentation).
// Every route needs a signed-in principal except those isPublic names (auth.go);
// every POST needs its CSRF token.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.accessLog, s.recoverPanic, s.securityHeaders, s.language, s.authenticate, s.requireSignIn, s.checkCSRF)

	e.GET("/healthz", s.healthz)
	e.GET("/static/:sum/:name", s.staticFile)

	e.GET("/login", s.loginPage)
	e.POST("/login", s.login)
	e.POST("/logout", s.logout)
	e.GET("/sso", s.sso)
	e.GET("/login/once", s.loginOnce)
	e.GET("/share/:token", s.sharePage)
	e.GET("/share/:token/audio", s.shareAudio, s.streaming)
	e.HEAD("/share/:token/audio", s.shareAudio, s.streaming)
	e.GET("/node/recordings/:id/file", s.nodeFile, s.streaming)
	e.HEAD("/node/recordings/:id/file", s.nodeFile, s.streaming)

	e.GET("/users", s.usersPage, s.adminOnly)
	e.POST("/users", s.addUser, s.adminOnly)
	e.POST("/users/:uid", s.updateUser, s.adminOnly)
	e.GET("/audit", s.auditPage, s.adminOnly)
	e.GET("/audit.csv", s.auditCSV, s.adminOnly, s.streaming)
	storage := &storageCache{}
	e.GET("/storage", s.storagePage(storage), s.adminOnly)
	e.GET("/holds", s.holdsPage, s.holdersOnly)
	e.POST("/holds", s.addHolds, s.holdersOnly)
	e.POST("/holds/release", s.releaseHolds, s.holdersOnly)
	e.GET("/settings", s.settingsPage, s.adminOnly)
	e.GET("/evidence", s.evidencePage, s.adminOnly)
	if s.opts.Subjects.Subject != nil {
		e.GET("/subject", s.subjectPage, s.adminOnly)
		e.POST("/subject", s.subjectFind, s.adminOnly)
		e.POST("/subject/export", s.subjectExport, s.adminOnly, s.streaming)
		e.POST("/subject/erase", s.subjectErase, s.adminOnly)
	}
	e.GET("/recordings/:id/evidence.zip", s.evidenceBundle, s.adminOnly, s.streaming)
	e.POST("/settings/retention", s.previewRetention(storage), s.adminOnly)
	e.POST("/settings/thresholds", s.setThresholds, s.adminOnly)
	e.POST("/settings/webhooks", s.addWebhook, s.adminOnly)
	e.POST("/settings/webhooks/:wid/remove", s.removeWebhook, s.adminOnly)
	e.POST("/settings/language", s.setLanguage, s.adminOnly)
	e.POST("/recordings/:id/shares", s.addShare)
	e.POST("/shares/:sid/revoke", s.revokeShare)

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
	api.GET("/calls", s.apiCalls)
	api.POST("/calls/pause", s.apiPause)
	api.GET("/exports/recordings.csv", s.exportCSV, s.streaming)
	api.GET("/exports/recordings.zip", s.exportZIP, s.streaming)
	api.GET("/retention", s.apiRetention(storage))
}
