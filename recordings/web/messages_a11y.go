package web

// The words of the keyboard help (the layout's "Keyboard" dialog, which ?
// opens) and the names of controls that show no label of their own, one table
// per language, merged into the main tables (i18n.go). A test checks both
// tables have the same keys.

func a11yMessagesEN() map[string]string {
	return map[string]string{
		"nav.main":    "Sections",
		"nav.back":    "Back",
		"nav.pager":   "Pages of results",
		"share.url":   "Share link",
		"keys.open":   "Keyboard",
		"keys.title":  "Keyboard shortcuts",
		"keys.close":  "Close",
		"keys.any":    "Any page",
		"keys.help":   "show or hide this help",
		"keys.search": "Search",
		"keys.number": "go to the number box",
		"keys.next":   "select the next result",
		"keys.prev":   "select the previous result",
		"keys.play":   "play the selected result here (again: pause)",
		"keys.player": "Player",
		"keys.toggle": "play or pause",
		"keys.seek":   "back or forward 10 seconds",
		"keys.speed":  "slower or faster",
		"keys.inputs": "The keys do nothing while you type in a box; Tab leaves it.",
	}
}

func a11yMessagesRU() map[string]string {
	return map[string]string{
		"nav.main":    "Разделы",
		"nav.back":    "Назад",
		"nav.pager":   "Страницы результатов",
		"share.url":   "Ссылка для прослушивания",
		"keys.open":   "Клавиатура",
		"keys.title":  "Клавиши",
		"keys.close":  "Закрыть",
		"keys.any":    "На любой странице",
		"keys.help":   "показать или скрыть эту подсказку",
		"keys.search": "Поиск",
		"keys.number": "перейти к полю номера",
		"keys.next":   "выбрать следующую запись",
		"keys.prev":   "выбрать предыдущую запись",
		"keys.play":   "прослушать выбранную запись здесь (ещё раз — пауза)",
		"keys.player": "Проигрыватель",
		"keys.toggle": "пуск или пауза",
		"keys.seek":   "на 10 секунд назад или вперёд",
		"keys.speed":  "медленнее или быстрее",
		"keys.inputs": "Пока вы печатаете в поле, клавиши не действуют; Tab выводит из поля.",
	}
}
