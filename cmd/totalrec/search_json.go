package main

import (
	"time"

	"github.com/totalrec/totalrec/recordings"
	"github.com/totalrec/totalrec/recordings/web"
)

// The command line prints recordings in the API's JSON shapes.
type (
	recordingJSON = web.RecordingJSON
	pageJSON      = web.PageJSON
)

func searchJSON(p recordings.Page, loc *time.Location) pageJSON { return web.NewPageJSON(p, loc) }
