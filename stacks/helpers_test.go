package stacks_test

import (
	"encoding/json"
	"strconv"
)

func itoa(i int) string { return strconv.Itoa(i) }

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

func hasEnv(vars any, name, value string) bool {
	list, _ := vars.([]any)
	for _, v := range list {
		m, _ := v.(map[string]any)
		if m["name"] == name && m["value"] == value {
			return true
		}
	}
	return false
}
