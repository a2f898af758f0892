package io.flinkfast.udf;

/**
 * What the rules make of one message: a dead letter (reason set, every field null) or a valid
 * event (reason null, every field set, the text fields exactly the decoded JSON strings).
 */
record Outcome(String reason, String uuid, String firstName, String lastName, String country, Integer age) {

    static Outcome deadLetter(String reason) {
        return new Outcome(reason, null, null, null, null, null);
    }

    static Outcome event(String uuid, String firstName, String lastName, String country, int age) {
        return new Outcome(null, uuid, firstName, lastName, country, age);
    }

    boolean isEvent() {
        return reason == null;
    }
}
