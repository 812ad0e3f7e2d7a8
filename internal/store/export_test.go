package store

// Classify is classify, for tests of the store_test package.
var Classify = classify
