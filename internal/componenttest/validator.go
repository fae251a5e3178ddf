package componenttest

import "errors"

// Validator is the validation of the component newC as Refusals reads a validator, through the
// constructor alone: newC declares name with the args on the recording mocks, and the result is
// the error the Args' validator gave (the constructor's "<component> <name>: " taken off), or nil
// when the component declares. The components' tests live outside their packages (in the stacks
// test binary), where an Args type's validate method cannot be called.
func Validator[A, C any](newC New[A, C], name string) func(a *A) error {
	return func(a *A) error {
		_, err := run(declare(newC, name, a))
		if inner := errors.Unwrap(err); inner != nil {
			return inner
		}
		return err
	}
}
