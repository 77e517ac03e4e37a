package linalg

func init() { testHooks = true }
