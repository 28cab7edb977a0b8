// cdktf's matchers (toHaveResourceWithProperties, ...) and their type declarations, from
// the adapter alone: importing `Testing` from the cdktf root would load all of cdktf
// into every test file, also those that never build a stack.
import { setupJest } from "cdktf/lib/testing/adapters/jest";

setupJest();
