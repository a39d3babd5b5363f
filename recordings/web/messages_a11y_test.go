package web

import "testing"

// sameKeys fails t for each key one table has and the other lacks.
func sameKeys(t *testing.T, en, ru map[string]string) {
	t.Helper()
	for k := range en {
		if _, ok := ru[k]; !ok {
			t.Errorf("Russian lacks %q", k)
		}
	}
	for k := range ru {
		if _, ok := en[k]; !ok {
			t.Errorf("English lacks %q", k)
		}
	}
}

func TestA11yMessageTables(t *testing.T) { sameKeys(t, a11yMessagesEN(), a11yMessagesRU()) }
