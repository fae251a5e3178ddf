package plan

import "github.com/openwan/openwan-infra/config"

// StackConfig reads the `config:` of Pulumi.<stack>.yaml in dir as the engine would pass it to
// the program: full keys to raw values, objects as JSON text.
func StackConfig(dir, stack string) (map[string]string, error) {
	return config.ReadStackFile(dir, stack)
}
