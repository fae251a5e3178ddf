package componenttest

import (
	"errors"
	"fmt"
)

// Validator is the validation of the component newC as Refusals reads a validator, through the
// constructor alone: newC declares name with the args on the recording mocks, and the result is
// the error the Args' validator gave (the constructor's "<component> <name>: " taken off), or nil
// when the component declares; a refusal after anything was registered is an error of its own. The components' tests live outside their packages (in the stacks
// test binary), where an Args type's validate method cannot be called.
func Validator[A, C any](newC New[A, C], name string) func(a *A) error {
	return func(a *A) error {
		p, err := run(declare(newC, name, a))
		if err == nil {
			return nil
		}
		if len(p.Resources) > 0 {
			// Validation comes before any registration: no list of fields matches this.
			return fmt.Errorf("refused args registered %d resources before refusing: %w", len(p.Resources), err)
		}
		if inner := errors.Unwrap(err); inner != nil {
			return inner
		}
		return err
	}
}
