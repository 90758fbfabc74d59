package dcgan;
final class Placeholder { private Placeholder() {} }
