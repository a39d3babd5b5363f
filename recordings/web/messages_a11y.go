package web

// The names of controls that show no label of their own, one table per
// language, merged into the main tables (i18n.go). A test checks both
// tables have the same keys.

var a11yMessagesEN = map[string]string{
	"share.url": "Share link",
}

var a11yMessagesRU = map[string]string{
	"share.url": "Ссылка для прослушивания",
}
